# Two workers count into one shared Value with `counter.value += 1`. The Value's lock is taken
# for the read and again for the write, not around both: both workers can read the same old
# value, and one increment is lost. (With 20,000 increments each, CPython printed 25,499 to
# 26,930 instead of 40,000.)
# expect: assertion
import multiprocessing as mp


def worker(counter):
    for _ in range(2):
        counter.value += 1


if __name__ == '__main__':
    counter = mp.Value('i', 0)
    workers = [mp.Process(target=worker, args=(counter,)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert counter.value == 4, counter.value
