# Releasing a lock that is not held: a cleanup path releases the Lock although the code above
# it already left the critical section; release() raises ValueError ('semaphore or lock
# released too many times').
# expect: api-misuse
from multiprocessing import Lock, Process


def child(lock):
    lock.acquire()
    print('child: in the critical section')
    lock.release()
    lock.release()


if __name__ == '__main__':
    lock = Lock()
    p = Process(target=child, args=(lock,))
    p.start()
    p.join()
