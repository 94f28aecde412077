# Assuming results arrive in start order: two workers put their results on one queue, and the
# parent asserts that the first result is the first worker's. Which worker's feeder writes
# first is up to the scheduler, so the assertion fails in some runs.
# expect: assertion
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
    assert a == 1
    first.join()
    second.join()
