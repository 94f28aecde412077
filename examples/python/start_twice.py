# Starting a process object twice (e.g. to "restart" a worker): start() raises AssertionError
# ('cannot start a process twice'); a new Process object is needed.
# expect: api-misuse
from multiprocessing import Process


def work():
    print('working')


if __name__ == '__main__':
    p = Process(target=work)
    p.start()
    p.join()
    p.start()
    p.join()
