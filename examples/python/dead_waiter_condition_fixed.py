# The fix for dead_waiter_condition.py: keep the waiter alive; notify it (with a timeout on its
# side, since a notify can come before the wait) and join it.
# expect: ok
from multiprocessing import Condition, Process


def consumer(cond):
    with cond:
        cond.wait(1)
        print('consumer: notified or timed out')


if __name__ == '__main__':
    cond = Condition()
    p = Process(target=consumer, args=(cond,))
    p.start()
    with cond:
        cond.notify()
    p.join()
