# close() of a process that is still running: Process.close() refuses while the child runs and
# raises ValueError ('Cannot close a process while it is still running').
# expect: api-misuse
import time
from multiprocessing import Process


def work():
    time.sleep(1)


if __name__ == '__main__':
    p = Process(target=work)
    p.start()
    p.close()
