# terminate() while the child holds a lock: SIGTERM ends the child at once, without running
# the `with` block's exit, so the lock is never released. When the parent later takes the lock
# it blocks forever. (Whether it hangs depends on how far the child got before the signal.)
# expect: deadlock, abandoned-lock
from multiprocessing import Lock, Process


def child(lock):
    with lock:
        print('child: updating the shared file')


if __name__ == '__main__':
    lock = Lock()
    p = Process(target=child, args=(lock,))
    p.start()
    p.terminate()
    p.join()
    with lock:
        print('parent: updating the shared file')
