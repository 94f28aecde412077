# Putting a Lock on a Queue: locks can only be shared by inheritance (Process args). put()
# returns normally, but the queue's feeder thread fails to pickle the Lock (RuntimeError on
# stderr) and drops it, so the child waits forever for an item that is never sent.
# expect: deadlock, api-misuse
from multiprocessing import Lock, Process, Queue


def worker(inbox):
    lock = inbox.get()
    lock.acquire()
    print('worker: in the critical section')
    lock.release()


if __name__ == '__main__':
    inbox = Queue()
    p = Process(target=worker, args=(inbox,))
    p.start()
    inbox.put(Lock())
    p.join()
