# One short-lived process per task, run one after another: 40 processes over the program's
# life, never more than two alive at once. A correct program.
# expect: ok
from multiprocessing import Process


def task(n):
    print('task', n)


if __name__ == '__main__':
    for i in range(40):
        p = Process(target=task, args=(i,))
        p.start()
        p.join()
