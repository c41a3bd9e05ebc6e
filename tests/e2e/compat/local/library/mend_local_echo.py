#!/usr/bin/python3
# A project-local module (t63): Ansible runs it, mend refuses it per host.
from ansible.module_utils.basic import AnsibleModule


def main():
    m = AnsibleModule(argument_spec=dict(text=dict(type='str')))
    m.exit_json(changed=False, text=m.params['text'])


if __name__ == '__main__':
    main()
