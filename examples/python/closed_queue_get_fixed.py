# The fix for closed_queue_get.py: close the queue only after the last get().
# expect: ok
from multiprocessing import Process, Queue


def producer(q):
    q.put('result')


if __name__ == '__main__':
    q = Queue()
    p = Process(target=producer, args=(q,))
    p.start()
    item = q.get()
    q.close()
    p.join()
