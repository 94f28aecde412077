# The fix for lock_through_queue.py: pass the Lock to the child in args.
# expect: ok
from multiprocessing import Lock, Process


def worker(lock):
    with lock:
        print('worker: in the critical section')


if __name__ == '__main__':
    lock = Lock()
    p = Process(target=worker, args=(lock,))
    p.start()
    p.join()
