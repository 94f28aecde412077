# The fix for result_order.py: do not depend on arrival order (here: check the set of results).
# expect: ok
from multiprocessing import Process, Queue


def worker(results, n):
    results.put(n)


if __name__ == '__main__':
    results = Queue()
    first = Process(target=worker, args=(results, 1))
    second = Process(target=worker, args=(results, 2))
    first.start()
    second.start()
    a = results.get()
    b = results.get()
    assert a + b == 3
    first.join()
    second.join()
