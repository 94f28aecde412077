# The fix for result_order.py: do not depend on arrival order; each result carries the index
# of the worker that made it, and the parent puts the results back in order by that index.
# expect: ok
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
    if index != 0:
        result = other
    assert result == 'result 0'
    first.join()
    second.join()
