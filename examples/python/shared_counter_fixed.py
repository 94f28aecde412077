# The fix: hold the Value's own lock around the whole read-modify-write. It is an RLock, so
# the read and the write inside take it again without blocking.
# expect: ok
import multiprocessing as mp


def worker(counter):
    for _ in range(2):
        with counter.get_lock():
            counter.value += 1


if __name__ == '__main__':
    counter = mp.Value('i', 0)
    workers = [mp.Process(target=worker, args=(counter,)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert counter.value == 4, counter.value
