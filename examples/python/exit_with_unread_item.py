# The main process cannot exit while its own queue feeder still holds data: the worker stops
# before reading the large job the parent queued, so at exit the parent's feeder waits forever
# for room in the pipe and the interpreter never exits.
# expect: deadlock
from multiprocessing import Process, Queue


def worker(jobs, n):
    if n > 0:
        job = jobs.get()


if __name__ == '__main__':
    jobs = Queue()
    p = Process(target=worker, args=(jobs, 0))
    p.start()
    jobs.put('J' * 100000)
    p.join()
