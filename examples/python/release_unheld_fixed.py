# The fix for release_unheld.py: pair every acquire with exactly one release (`with lock:`).
# expect: ok
from multiprocessing import Lock, Process


def child(lock):
    with lock:
        print('child: in the critical section')


if __name__ == '__main__':
    lock = Lock()
    p = Process(target=child, args=(lock,))
    p.start()
    p.join()
