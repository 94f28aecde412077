# The fix for start_twice.py: create a new Process object for the second run.
# expect: ok
from multiprocessing import Process


def work():
    print('working')


if __name__ == '__main__':
    p = Process(target=work)
    p.start()
    p.join()
    p = Process(target=work)
    p.start()
    p.join()
