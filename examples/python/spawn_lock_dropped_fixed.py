# The fix: the caller owns the Lock and keeps it referenced until the child has been joined,
# so its name exists when the child unpickles its args.
# expect: ok
import multiprocessing as mp


def worker(lock, results):
    with lock:
        results.put('done')


def start_worker(ctx, lock, results):
    p = ctx.Process(target=worker, args=(lock, results))
    p.start()
    return p


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    lock = ctx.Lock()
    results = ctx.Queue()
    p = start_worker(ctx, lock, results)
    print(results.get())
    p.join()
    print(p.exitcode)
