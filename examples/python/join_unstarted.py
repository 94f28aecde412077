# Joining a process that was never started: join() asserts that the process was started and
# raises AssertionError ('can only join a started process').
# expect: api-misuse
from multiprocessing import Process


def work(n):
    print('working on', n)


if __name__ == '__main__':
    first = Process(target=work, args=(1,))
    second = Process(target=work, args=(2,))
    first.start()
    first.join()
    second.join()
