# A project-local filter plugin (t63): Ansible loads it, mend cannot.


def shout(s):
    return s.upper() + '!'


class FilterModule(object):
    def filters(self):
        return {
            'shout': shout,
        }
