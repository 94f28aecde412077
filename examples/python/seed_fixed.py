# The fix for seed.py: get the item first, then join.
# expect: ok
from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    item = q.get()
    p.join()
