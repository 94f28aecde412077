# The parent joins the child before getting its large item: the child cannot exit until the
# item is flushed into the pipe, and it does not fit, so p.join() hangs.
from multiprocessing import Process, Queue


def child(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    p.join()
    item = q.get()
