# terminate() while the child's queue feeder is writing a large item: the child dies with half
# of the message in the pipe and the queue's writer lock taken. The parent's get() then waits
# forever for the rest of the message, even with a timeout.
# expect: deadlock, abandoned-lock, broken-queue, lost-data
import queue
import time
from multiprocessing import Process, Queue


def producer(q):
    q.put('X' * 100000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=producer, args=(q,))
    p.start()
    time.sleep(0.5)
    p.terminate()
    p.join()
    try:
        item = q.get(timeout=1)
    except queue.Empty:
        print('no item')
