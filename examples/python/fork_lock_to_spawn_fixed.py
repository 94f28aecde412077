# The fix for fork_lock_to_spawn.py: create the Lock from the same context as the process.
# expect: ok
import multiprocessing as mp


def worker(lock):
    with lock:
        print('worker: in the critical section')


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    lock = ctx.Lock()
    p = ctx.Process(target=worker, args=(lock,))
    p.start()
    p.join()
