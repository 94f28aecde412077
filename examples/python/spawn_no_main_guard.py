# No `if __name__ == '__main__':` guard under spawn: the child re-imports the script, reaches
# p.start() again while still bootstrapping, and raises RuntimeError ('An attempt has been made
# to start a new process before the current process has finished its bootstrapping phase').
# expect: api-misuse
import multiprocessing as mp


def work():
    print('working')


ctx = mp.get_context('spawn')
p = ctx.Process(target=work)
p.start()
p.join()
