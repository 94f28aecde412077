# The fix for guard_only_name.py: pass the value to the child in args (or define it at module
# level, where the child's re-import defines it too).
# expect: ok
import multiprocessing as mp


def worker(results, n, scale):
    results.put(n * scale)


if __name__ == '__main__':
    mp.set_start_method('spawn')
    scale = 10
    results = mp.Queue()
    p = mp.Process(target=worker, args=(results, 4, scale))
    p.start()
    print(results.get())
    p.join()
