# Module-level Lock under spawn: a spawn child re-runs the module body, so each worker gets its
# own brand-new Lock and the "critical section" excludes nobody. Under fork the same code works,
# which is why this bug appears when a program moves to macOS, Windows or Python 3.14.
# expect: unshared-resource
import multiprocessing as mp

ctx = mp.get_context('spawn')
lock = ctx.Lock()


def worker(n):
    with lock:
        print('worker', n, 'in the critical section')


if __name__ == '__main__':
    workers = [ctx.Process(target=worker, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
