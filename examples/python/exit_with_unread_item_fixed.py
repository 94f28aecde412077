# The fix for exit_with_unread_item.py: queue work only for a worker that will read it.
# expect: ok
from multiprocessing import Process, Queue


def worker(jobs, n):
    if n > 0:
        job = jobs.get()


if __name__ == '__main__':
    jobs = Queue()
    p = Process(target=worker, args=(jobs, 1))
    p.start()
    jobs.put('J' * 100000)
    p.join()
