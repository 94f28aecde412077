# The fix for unshared_queue.py: create the Queue in the parent and pass it in args.
# expect: ok
import multiprocessing as mp


def worker(results):
    results.put('done')


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    results = ctx.Queue()
    p = ctx.Process(target=worker, args=(results,))
    p.start()
    print(results.get())
    p.join()
