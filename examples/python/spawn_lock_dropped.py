# Under spawn a Lock is a named semaphore, and its creator unlinks the name as soon as the Lock
# object dies there. start_worker() returns before the child has re-imported the module and
# unpickled its args, so the child's sem_open() fails: FileNotFoundError in spawn._main, before
# worker() ever runs, and the job is silently not done (exit code 1).
# expect: uncaught-exception
import multiprocessing as mp


def worker(lock, results):
    with lock:
        results.put('done')


def start_worker(ctx, results):
    lock = ctx.Lock()
    p = ctx.Process(target=worker, args=(lock, results))
    p.start()
    return p


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    results = ctx.Queue()
    p = start_worker(ctx, results)
    p.join()
    print(p.exitcode)
