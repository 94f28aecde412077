# The fix for start_method_too_late.py: choose the start method first, then create the Lock
# (under the main guard) and pass it to the worker.
# expect: ok
import multiprocessing as mp


def worker(lock, n):
    with lock:
        print('worker', n, 'in the critical section')


if __name__ == '__main__':
    mp.set_start_method('spawn')
    lock = mp.Lock()
    p = mp.Process(target=worker, args=(lock, 1))
    p.start()
    p.join()
