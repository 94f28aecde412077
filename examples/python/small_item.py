# Join before get with a small item: harmless. The 10-character item fits in the pipe's
# 64 KiB buffer, so the child's feeder flushes it and the child exits before anyone reads.
# Contrast with seed.py, where the item is 1,000,000 characters.
# expect: ok
from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 10)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
