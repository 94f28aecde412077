# The fix for join_unstarted.py: start every process that will be joined.
# expect: ok
from multiprocessing import Process


def work(n):
    print('working on', n)


if __name__ == '__main__':
    first = Process(target=work, args=(1,))
    second = Process(target=work, args=(2,))
    first.start()
    second.start()
    first.join()
    second.join()
