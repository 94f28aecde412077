# The fix for broken_queue.py: never terminate a process that may be using a queue; read what
# it sends, then join it.
# expect: ok
from multiprocessing import Process, Queue


def producer(q):
    q.put('X' * 100000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=producer, args=(q,))
    p.start()
    item = q.get()
    p.join()
