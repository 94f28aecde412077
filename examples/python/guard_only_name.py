# A name defined only under `if __name__ == '__main__':` does not exist in a spawn child: the
# child re-imports the module as __mp_main__, skips the guarded block, and its first use of
# `scale` raises NameError. Under fork the child would have inherited it.
# expect: unshared-resource
import multiprocessing as mp


def worker(results, n):
    results.put(n * scale)


if __name__ == '__main__':
    mp.set_start_method('spawn')
    scale = 10
    results = mp.Queue()
    p = mp.Process(target=worker, args=(results, 4))
    p.start()
    p.join()
