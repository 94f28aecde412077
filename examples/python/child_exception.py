# An uncaught exception in a child makes the parent wait forever: the child dies (the traceback
# goes to its stderr) before it puts its result, and the parent's get() waits for a result
# that will never come.
# expect: deadlock, uncaught-exception
from multiprocessing import Process, Queue


def worker(results, n):
    if n == 0:
        raise ValueError('bad input')
    results.put(100 // n)


if __name__ == '__main__':
    results = Queue()
    p = Process(target=worker, args=(results, 0))
    p.start()
    print('result', results.get())
    p.join()
