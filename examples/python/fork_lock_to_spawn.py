# A Lock from the default (fork) context passed to a spawn child: fork-context semaphores
# cannot be reopened by a spawned process, so start() raises RuntimeError ('A SemLock created
# in a fork context is being shared with a process in a spawn context').
# expect: api-misuse
import multiprocessing as mp


def worker(lock):
    with lock:
        print('worker: in the critical section')


if __name__ == '__main__':
    lock = mp.Lock()
    ctx = mp.get_context('spawn')
    p = ctx.Process(target=worker, args=(lock,))
    p.start()
    p.join()
