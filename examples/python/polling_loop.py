# A polling loop that can never finish: the parent waits for the child to finish before it
# sends the message the child is waiting for. Nothing is blocked for good (the parent keeps
# polling), yet no interleaving ever ends: a livelock, found on the state graph.
# expect: deadlock
import time
from multiprocessing import Process, Queue


def child(commands):
    command = commands.get()
    print('child got', command)


if __name__ == '__main__':
    commands = Queue()
    p = Process(target=child, args=(commands,))
    p.start()
    while p.is_alive():
        time.sleep(0.1)
    commands.put('stop')
