# Assuming results arrive in start order: two workers put (index, result) on one queue, and the
# parent takes the first result it gets as the first worker's. Which worker's feeder writes
# first is up to the scheduler, so the assertion fails in some runs.
# expect: assertion
from multiprocessing import Process, Queue


def worker(results, index):
    results.put((index, f'result {index}'))


if __name__ == '__main__':
    results = Queue()
    first = Process(target=worker, args=(results, 0))
    second = Process(target=worker, args=(results, 1))
    first.start()
    second.start()
    index, result = results.get()
    other_index, other = results.get()
    assert result == 'result 0'
    first.join()
    second.join()
