# The fix for child_exception.py: the child catches the exception and always sends a reply
# (here None), so the parent's get() always returns.
# expect: ok
from multiprocessing import Process, Queue


def worker(results, n):
    try:
        if n == 0:
            raise ValueError('bad input')
        results.put(100 // n)
    except ValueError:
        results.put(None)


if __name__ == '__main__':
    results = Queue()
    p = Process(target=worker, args=(results, 0))
    p.start()
    print('result', results.get())
    p.join()
