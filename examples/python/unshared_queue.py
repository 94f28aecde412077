# Module-level Queue under spawn: the child re-runs the module body and puts its result into
# its own new Queue, which nobody reads; the parent's get() on the original waits forever.
# expect: deadlock, unshared-resource
import multiprocessing as mp

ctx = mp.get_context('spawn')
results = ctx.Queue()


def worker():
    results.put('done')


if __name__ == '__main__':
    p = ctx.Process(target=worker)
    p.start()
    print(results.get())
    p.join()
