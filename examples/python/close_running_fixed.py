# The fix for close_running.py: join() the process before close().
# expect: ok
import time
from multiprocessing import Process


def work():
    time.sleep(1)


if __name__ == '__main__':
    p = Process(target=work)
    p.start()
    p.join()
    p.close()
