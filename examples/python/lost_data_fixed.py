# The fix for lost_data.py: drop cancel_join_thread() and read the results before joining, so
# the child's feeder always flushes them and the child can always exit.
# expect: ok
from multiprocessing import Process, Queue


def worker(results):
    for i in range(3):
        results.put(i * i)


if __name__ == '__main__':
    results = Queue()
    p = Process(target=worker, args=(results,))
    p.start()
    for _ in range(3):
        print(results.get())
    p.join()
