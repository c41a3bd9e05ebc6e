class FilterModule(object):
    def filters(self):
        return {'shout': self.shout}

    def shout(self, s):
        return s.upper()
