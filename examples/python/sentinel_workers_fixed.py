# The fix for sentinel_workers.py: one sentinel per worker.
# expect: ok
from multiprocessing import Process, Queue


def worker(tasks):
    while True:
        task = tasks.get()
        if task is None:
            break
        print('processing', task)


if __name__ == '__main__':
    tasks = Queue()
    workers = [Process(target=worker, args=(tasks,)) for _ in range(2)]
    for w in workers:
        w.start()
    for i in range(4):
        tasks.put(i)
    for w in workers:
        tasks.put(None)
    for w in workers:
        w.join()
