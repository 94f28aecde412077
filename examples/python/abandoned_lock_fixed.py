# The fix for abandoned_lock.py: let the child finish (join it) instead of terminating it, so
# it always leaves its `with lock:` block and releases the lock.
# expect: ok
from multiprocessing import Lock, Process


def child(lock):
    with lock:
        print('child: updating the shared file')


if __name__ == '__main__':
    lock = Lock()
    p = Process(target=child, args=(lock,))
    p.start()
    p.join()
    with lock:
        print('parent: updating the shared file')
