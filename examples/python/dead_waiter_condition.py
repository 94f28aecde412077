# A dead waiter poisons a Condition: the child is killed while in cond.wait(), so the parent's
# notify() waits forever for it to acknowledge, holding the condition's lock. (Killed before
# its wait() released the lock, it abandons the lock instead: the same hang, in `with cond:`.)
# expect: deadlock, abandoned-lock
from multiprocessing import Condition, Process


def consumer(cond):
    with cond:
        cond.wait()
        print('consumer: notified')


if __name__ == '__main__':
    cond = Condition()
    p = Process(target=consumer, args=(cond,))
    p.start()
    p.terminate()
    p.join()
    with cond:
        cond.notify()
