# One sentinel too few: each worker stops when it reads None, but the parent puts only one None
# for two workers. The second worker waits forever in get() and the parent's join() with it.
# expect: deadlock
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
    tasks.put(None)
    for w in workers:
        w.join()
