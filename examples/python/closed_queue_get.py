# get() on a queue this process has closed: close() means "this process is done with the
# queue", for reading too, and the next get() raises ValueError ('Queue ... is closed').
# expect: api-misuse
from multiprocessing import Process, Queue


def producer(q):
    q.put('result')


if __name__ == '__main__':
    q = Queue()
    p = Process(target=producer, args=(q,))
    p.start()
    q.close()
    item = q.get()
    p.join()
