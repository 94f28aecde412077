# Join before get: the child cannot exit until its queue feeder has written the 1,000,000-char
# item into the pipe, which it never fits, so p.join() hangs forever.   (fix: seed_fixed.py)
# expect: deadlock
from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
