# set_start_method() after the default context is already fixed: creating a Lock at module
# level (through the default context) fixes the start method, so the later
# set_start_method('spawn') raises RuntimeError ('context has already been set').
# expect: api-misuse
import multiprocessing as mp

lock = mp.Lock()


def worker(n):
    with lock:
        print('worker', n, 'in the critical section')


if __name__ == '__main__':
    mp.set_start_method('spawn')
    p = mp.Process(target=worker, args=(1,))
    p.start()
    p.join()
