# The fix for unshared_lock.py: create the Lock in the parent and pass it to every worker in
# args; under spawn the workers then receive the same semaphore.
# expect: ok
import multiprocessing as mp


def worker(lock, n):
    with lock:
        print('worker', n, 'in the critical section')


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    lock = ctx.Lock()
    workers = [ctx.Process(target=worker, args=(lock, i)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
