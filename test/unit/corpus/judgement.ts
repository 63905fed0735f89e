/**
 * The expected findings on every template of ../shared/corpus-realworld and
 * ../shared/corpus, judged by hand: each says what really happens with
 * that template and why. A finding is `<rule>@<line>` (1-based, the line
 * the finding points at), with ` [<versions>]` when it holds only for some
 * tool versions (the analysis runs with the toolchain unknown, as for a
 * user who has not said).
 *
 * The corpora keep a template and the few files it points to, not the whole
 * repository. Where the verdict depends on where Packer runs (relative
 * playbook paths, an ansible.cfg in that directory), `layout` lays stand-ins
 * for the repository's own files over the corpus at their real paths (empty
 * files unless the content matters; checked in the repository at the corpus
 * commit, named in `source`), and `mount` places a repository where its users
 * have it (a submodule).
 */

export interface Judgement {
  findings: string[];
  why: string;
  /** Stand-in files of the real repository: path relative to the corpus entry's repository folder → content. */
  layout?: Record<string, string>;
  /** Where the real files come from (repository path@commit). */
  source?: string;
  /** Analyse the template through this folder instead (relative to the corpus root), with the repository folder mounted at `mount.at`. */
  mount?: { at: string; template: string };
}

export const REALWORLD: Record<string, Judgement> = {
  'deNBI__resenvs/guacamole/packer_guacamole.json': {
    findings: [],
    why: 'Packer runs in packer/ (the only place ./packer_resenvs.yml exists); packer/ansible.cfg puts ControlPath=/tmp/ansible-ssh-%h-%p-%r in ssh_args (single % is right there): the socket is on /tmp.',
    layout: { 'packer/packer_resenvs.yml': '' },
    source: 'deNBI/resenvs packer/packer_resenvs.yml',
  },
  'cisagov__cyhy_amis/packer/bastion.json': {
    findings: [],
    why: 'Packer runs in packer/ (its ansible/*.yml playbooks); packer/ansible.cfg replaces ssh_args without ControlPersist: Ansible asks for no ControlPath, no socket.',
    layout: { 'packer/ansible/upgrade.yml': '', 'packer/ansible/python.yml': '', 'packer/ansible/playbook.yml': '' },
    source: 'cisagov/cyhy_amis packer/ansible/{upgrade,python,playbook}.yml',
  },
  'tenminutevpn__tenminutevpn/packer/src/build.pkr.hcl': {
    findings: ['control-path-missing@4'],
    why: 'No control settings; whether Packer runs in src/ or packer/ (its Makefile), neither ansible.cfg sets a control path: the socket goes to ~/.ansible/cp.',
  },
  'chkpwd__iac/packer/hacks/ansible-provider-test.pkr.hcl': {
    findings: ['control-path-missing@12'],
    why: 'Packer runs in packer/ (ANSIBLE_CONFIG=../ansible/ansible.cfg and the playbook exist only from there); that cfg misspells [ssh_connection], and the inventory template sets ansible_ssh_common_args without a ControlPath: default socket.',
    layout: { 'ansible/playbooks/packer.yaml': '' },
    source: 'chkpwd/iac ansible/playbooks/packer.yaml',
  },
  'benjamin-lykins__hashicorp-packer-nomad-quickstarts/aws/build.pkr.hcl': {
    findings: ['control-path-missing@4', 'control-path-missing@14'],
    why: 'Two ansible provisioners (each limited with only), no control settings anywhere: both sockets go to ~/.ansible/cp.',
    layout: { 'ansible/nomad-server.yml': '', 'ansible/nomad-client.yml': '' },
    source: 'benjamin-lykins/hashicorp-packer-nomad-quickstarts ansible/nomad-{server,client}.yml',
  },
  'bparanj__hivegrid.dev/packer/aws-ubuntu.pkr.hcl': {
    findings: ['control-path-missing@55'],
    why: 'use_proxy=false and no control settings; the ansible.cfg beside it puts ansible_ssh_common_args (an inventory variable name, not an ansible.cfg key) under [ssh_connection], which Ansible ignores: default socket.',
    layout: { 'ansible/playbooks/master_playbook.yml': '' },
    source: 'bparanj/hivegrid.dev ansible/playbooks/master_playbook.yml',
  },
  'brennanfee__provision-ubuntu/packer/ubuntu-server.json': {
    findings: ['control-path-missing@79'],
    why: 'Packer runs in packer/ (scripts/*.sh); its ansible.cfg sets no SSH option: default socket.',
    layout: { 'main.yml': '', 'packer/scripts/vagrant.sh': '', 'packer/scripts/vboxguest-console.sh': '', 'packer/scripts/cleanup.sh': '', 'packer/scripts/minimize.sh': '' },
    source: 'brennanfee/provision-ubuntu main.yml, packer/scripts/',
  },
  'juju4__ansible-harden-windows/packer/windows_server_2019.json': {
    findings: [],
    why: 'WinRM builders through the proxy with --connection packer and the repository\'s connection_plugins/packer.py (Packer\'s 2.6.x example): an ssh subclass whose own option list lacks options the ssh plugin of ansible-core 2.14 and 2.19 asks for, so the task fails before any ssh runs (docs/facts.md (c)). No socket claim for a custom connection plugin.',
    layout: { 'test/integration/default/default.yml': '' },
    source: 'juju4/ansible-harden-windows test/integration/default/default.yml',
  },
  'juju4__ansible-harden-windows/packer/azure-windows_server_2019.json': {
    findings: [],
    why: 'azure-arm WinRM with use_proxy=false: Packer writes ansible_connection=winrm, no SSH at all.',
    layout: { 'packer/playbook-azure.yml': '' },
    source: 'juju4/ansible-harden-windows packer/playbook-azure.yml',
  },
  'kasefuchs__homelab@655ab1af/packer/builds.pkr.hcl': {
    findings: ['control-path-missing@4'],
    why: 'extra_arguments and ansible_env_vars are concat() over object-typed variable defaults; ANSIBLE_CONFIG=${local.ansible_directory}/ansible.cfg names a cfg with no control path: default socket.',
  },
  'kasefuchs__homelab@2ec1e92e/packer/vagrant/builds.pkr.hcl': {
    findings: ['control-path-missing@4'],
    why: 'ANSIBLE_CONFIG=../../ansible/ansible.cfg from packer/vagrant names a cfg with only roles_path: default socket.',
  },
  'splunk__attack_range/packer/windows_server/windows_aws.pkr.hcl': {
    findings: [],
    why: 'amazon-ebs with communicator winrm and use_proxy=false: ansible_connection=winrm, no SSH.',
    layout: { 'packer/ansible/windows.yml': '' },
    source: 'splunk/attack_range packer/ansible/windows.yml',
  },
  'splunk__attack_range/packer/splunk_server/splunk_aws.pkr.hcl': {
    findings: ['ansible-cfg-unreadable@1', 'ansible-cfg-unreadable@67'],
    why: "Run from the repository root, whose ansible.cfg is the one line deprecation_warnings=False with no [section] header: ansible-core 2.14 and 2.19 both stop with \"File contains no section headers\" (checked), so Packer fails while preparing the build, before the quoted ansible_ssh_extra_args item (quoted-setting on 2.15+) could matter.",
    layout: { 'packer/ansible/splunk_server.yml': '', 'ansible.cfg': 'deprecation_warnings=False' },
    source: 'splunk/attack_range packer/ansible/splunk_server.yml, ansible.cfg',
  },
  'straysheep-dev__packer-configs/kali-linux/kali-linux.pkr.hcl': {
    findings: ['control-path-missing@53'],
    why: 'extra_arguments comes from a variable without default that each kali-*.pkrvars.hcl sets; neither sets SSH options, so with either var file the socket goes to ~/.ansible/cp.',
  },
  'open-servus__open-magento/packer/aws-debian.pkr.hcl': {
    findings: [],
    why: 'cd packer && packer build .: the ansible.cfg there sets an empty ssh_args, so no ControlPersist, no ControlPath, no socket.',
  },
  'user827__arch-installation/packer/arch.pkr.hcl': {
    findings: [],
    why: 'ANSIBLE_CONFIG=${path.cwd}/ansible.cfg with Packer in packer/ (../scripts exists from there): ssh_args = -C, no multiplexing.',
    layout: { 'scripts/lib.sh': '' },
    source: 'user827/arch-installation scripts/',
  },
  'Otus-DevOps-2022-05__kaineer_infra/packer/app.json': {
    findings: ['control-path-missing@20'],
    why: 'Run from the repository root (ansible/playbooks/packer_app.yml), which has no ansible.cfg: default socket.',
    layout: { 'ansible/playbooks/packer_app.yml': '' },
    source: 'Otus-DevOps-2022-05/kaineer_infra ansible/playbooks/packer_app.yml',
  },
  'azimuth-cloud__azimuth-images/packer/kubernetes.pkr.hcl': {
    findings: ['quoted-setting@446 [ansible-core 2.14 and earlier]', 'control-path-missing@446 [ansible-core 2.15 and later]'],
    why: "ansible_ssh_extra_args lists \"-o\", \"ControlMaster=auto\", ... as separate items, which packer-plugin-ansible 1.1.1+ quotes one by one: ansible-core 2.15+ (this repo pins <2.19) splits them back and ssh multiplexes with Ansible's default ControlPath in ~/.ansible/cp; 2.14 unquotes the whole string and ssh gets broken words.",
  },
  'azimuth-cloud__azimuth-images/packer/windows-sshd.pkr.hcl': {
    findings: [],
    why: 'Its build runs only its own openstack source with communicator winrm, use_proxy=false: no SSH (the ssh template beside it is another build).',
  },
  'lfit__releng-common-packer/templates/builder.pkr.hcl': {
    findings: ['control-path-missing@237'],
    why: 'Used as the submodule common-packer/ of a ci-management repository, run from its root. command is ./common-packer/ansible-playbook.sh, which only activates a virtualenv and runs ansible-playbook "$@"; local_build defaults to false, so --ssh-extra-args has no ControlPath: default socket for the docker and openstack sources.',
    mount: { at: 'ci-management/common-packer', template: 'ci-management/common-packer/templates/builder.pkr.hcl' },
    layout: {
      // The corpus has no copy of the wrapper; this is a script of the same shape (the original is EPL-1.0).
      'ansible-playbook.sh': '#!/bin/bash\nsource "$(cat /tmp/.ansible_venv)/bin/activate" && ANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 "$(cat /tmp/.ansible_venv)/bin/ansible-playbook" "$@"\n',
      'provision/install-python.sh': '',
    },
    source: 'lfit/releng-common-packer ansible-playbook.sh, provision/install-python.sh',
  },
  'nginxinc__nginx-management-suite-iac/packer/nms/aws/nms.pkr.hcl': {
    findings: ['control-path-missing@136'],
    why: 'ANSIBLE_CONFIG=../../ansible/ansible.cfg from the template folder; that cfg keeps ControlPersist in ssh_args with no ControlPath: default socket. -e ansible_ssh_pass=... sets no SSH option.',
  },
  'hashicorp__packer/test/fixtures/provisioner-ansible/winrm.json': {
    findings: [],
    why: 'googlecompute WinRM through the proxy with --connection packer: Packer\'s connection plugin fails the task on ansible-core 2.14 and 2.19 before any ssh runs (docs/facts.md (c)); no socket claim for a custom connection plugin.',
    layout: { 'test/fixtures/provisioner-ansible/win-playbook.yml': '' },
    source: 'hashicorp/packer test/fixtures/provisioner-ansible/win-playbook.yml',
  },
};

const K8S_ENV = 'ANSIBLE_SSH_ARGS is built from {{user `existing_ansible_ssh_args`}}, which defaults to {{env `ANSIBLE_SSH_ARGS`}}: only known in the environment that runs Packer, so nothing is said.';
const K8S_WINRM = 'WinRM with use_proxy=false: Packer writes ansible_connection=winrm, no SSH.';
const DEFAULT = 'No control settings in the template or in an ansible.cfg where Packer runs: the socket goes to ~/.ansible/cp.';

export const CORPUS: Record<string, Judgement> = {
  'kubernetes-sigs__image-builder/images/capi/packer/ami/packer.json': { findings: [], why: K8S_ENV },
  'kubernetes-sigs__image-builder/images/capi/packer/ami/packer-windows.json': { findings: [], why: K8S_WINRM },
  'kubernetes-sigs__image-builder/images/capi/packer/azure/packer.json': { findings: [], why: K8S_ENV },
  'kubernetes-sigs__image-builder/images/capi/packer/azure/packer-windows.json': { findings: [], why: K8S_WINRM },
  'kubernetes-sigs__image-builder/images/capi/packer/gce/packer.json': { findings: [], why: K8S_ENV },
  'kubernetes-sigs__image-builder/images/capi/packer/powervs/packer.json': {
    findings: [],
    why: '--ssh-extra-args and --scp-extra-args come from user variables set only by var files of other folders or the environment: ssh\'s and scp\'s options are unknown.',
  },
  'kubernetes-sigs__image-builder/images/capi/packer/ova/packer-node.json': { findings: [], why: K8S_ENV },
  'kubernetes-sigs__image-builder/images/capi/packer/ova/packer-windows.json': { findings: [], why: K8S_WINRM },
  'kubernetes-sigs__image-builder/images/capi/packer/nutanix/packer.json.tmpl': { findings: [], why: 'A .json.tmpl is rendered into the template by a script first; not a template Packer reads (and its ANSIBLE_SSH_ARGS comes from the environment anyway).' },
  'kubernetes-sigs__image-builder/images/capi/packer/qemu/packer.json.tmpl': { findings: [], why: 'A .json.tmpl is rendered into the template by a script first; not a template Packer reads.' },
  'kubernetes-sigs__image-builder/images/capi/packer/outscale/packer-flatcar.json': { findings: [], why: K8S_ENV },
  'kubernetes-sigs__image-builder/images/capi/packer/oci/packer.json': { findings: [], why: K8S_ENV },
  'kubernetes-sigs__image-builder/images/capi/packer/openstack/packer.json': { findings: [], why: K8S_ENV },
  'kubernetes-sigs__image-builder/images/capi/packer/hcloud/packer.json': { findings: [], why: K8S_ENV },
  'mesosphere__konvoy-image-builder/pkg/packer/manifests/aws/packer.pkr.hcl': {
    findings: [],
    why: "ANSIBLE_SSH_ARGS='${var.existing_ansible_ssh_args}', whose default is env(\"ANSIBLE_SSH_ARGS\"): only known where Packer runs.",
  },
  'mesosphere__konvoy-image-builder/pkg/packer/manifests/gcp/packer.pkr.hcl': {
    findings: [],
    why: "ANSIBLE_SSH_ARGS='' (the variable defaults to an empty string): ansible-core 2.14 unquotes it to nothing, ssh_args replaces Ansible's default without ControlPersist: no socket.",
  },
  'mesosphere__konvoy-image-builder/pkg/packer/manifests/aws/packer.json.tmpl': { findings: [], why: 'Not JSON as stored (a Go template with (( )) delimiters, rendered first): not a template Packer reads.' },
  'vmware-samples__packer-examples-for-vsphere/builds/linux/ubuntu/22-04-lts/linux-ubuntu.pkr.hcl': {
    findings: ['control-path-missing@207'],
    why: 'Run from the repository root (${path.cwd}/ansible/linux-playbook.yml exists only from there); ANSIBLE_CONFIG=${path.cwd}/ansible/ansible.cfg holds only [defaults] display settings: default socket.',
    layout: { 'ansible/ansible.cfg': '[defaults]\ndisplay_skipped_hosts = false\nansible_python_interpreter = /usr/bin/python3\n', 'ansible/linux-playbook.yml': '', 'ansible/linux-requirements.yml': '' },
    source: 'vmware-samples/packer-examples-for-vsphere ansible/ansible.cfg, ansible/linux-playbook.yml',
  },
  'vmware-samples__packer-examples-for-vsphere/builds/linux/rhel/9/linux-rhel.pkr.hcl': {
    findings: ['control-path-missing@203'],
    why: 'As the ubuntu build: the repository root\'s ansible/ansible.cfg sets no SSH option: default socket.',
    layout: { 'ansible/ansible.cfg': '[defaults]\ndisplay_skipped_hosts = false\nansible_python_interpreter = /usr/bin/python3\n', 'ansible/linux-playbook.yml': '', 'ansible/linux-requirements.yml': '' },
    source: 'vmware-samples/packer-examples-for-vsphere ansible/',
  },
  'vmware-samples__packer-examples-for-vsphere/builds/linux/sles/15/linux-sles.pkr.hcl': {
    findings: ['control-path-missing@176'],
    why: 'As the ubuntu build: default socket.',
    layout: { 'ansible/ansible.cfg': '[defaults]\ndisplay_skipped_hosts = false\nansible_python_interpreter = /usr/bin/python3\n', 'ansible/linux-playbook.yml': '', 'ansible/linux-requirements.yml': '' },
    source: 'vmware-samples/packer-examples-for-vsphere ansible/',
  },
  'vmware-samples__packer-examples-for-vsphere/builds/windows/server/2022/windows-server.pkr.hcl': { findings: [], why: 'use_proxy=false and extra vars set ansible_connection=winrm: no SSH.' },
  'cisagov__skeleton-packer/src/packer.pkr.hcl': {
    findings: ['control-path-missing@186', 'control-path-missing@192', 'control-path-missing@198'],
    why: 'Three provisioners with use_proxy=false and use_sftp=true, run from the repository root (src/*.yml), which has no ansible.cfg: ssh and sftp multiplex in ~/.ansible/cp.',
    layout: { 'src/upgrade.yml': '', 'src/python.yml': '', 'src/playbook.yml': '' },
    source: 'cisagov/skeleton-packer src/*.yml',
  },
  'cisagov__skeleton-packer/src/packer.json': {
    findings: ['control-path-missing@68', 'control-path-missing@72', 'control-path-missing@79'],
    why: 'The legacy JSON form of the same builds (through the proxy): default socket; AWS_DEFAULT_REGION from the environment does not touch SSH.',
    layout: { 'src/upgrade.yml': '', 'src/python.yml': '', 'src/playbook.yml': '' },
    source: 'cisagov/skeleton-packer src/*.yml',
  },
  'cisagov__kali-packer/src/packer.pkr.hcl': {
    findings: ['control-path-missing@199', 'control-path-missing@205', 'control-path-missing@211'],
    why: 'As skeleton-packer; the YAML-ish --extra-vars "{build_bucket: ...}" sets no SSH option.',
    layout: { 'src/upgrade.yml': '', 'src/python.yml': '', 'src/playbook.yml': '' },
    source: 'cisagov/kali-packer src/*.yml',
  },
  'hashicorp__packer-plugin-ansible/example/all_options.json.pkr.hcl': { findings: ['control-path-missing@22'], why: `Many options, none about the socket (use_sftp only changes the transfer tool). ${DEFAULT}`, layout: { 'example/playbook.yml': '' } },
  'hashicorp__packer-plugin-ansible/example/sftp.json.pkr.hcl': { findings: ['control-path-missing@19'], why: DEFAULT, layout: { 'example/playbook.yml': '' } },
  'hashicorp__packer-plugin-ansible/example/scp-to-sftp.json.pkr.hcl': { findings: ['control-path-missing@19'], why: DEFAULT, layout: { 'example/playbook.yml': '' } },
  'hashicorp__packer-plugin-ansible/example/minimal.json.pkr.hcl': { findings: ['control-path-missing@18'], why: DEFAULT, layout: { 'example/playbook.yml': '' } },
  'hashicorp__packer-plugin-ansible/provisioner/ansible/test-fixtures/docker_playbookfile_template.pkr.hcl': {
    findings: ['control-path-missing@23'],
    why: `A docker source through the proxy. ${DEFAULT}`,
  },
  'SchedMD__slurm-gcp/packer/main.pkr.hcl': {
    findings: ['control-path-missing@130'],
    why: 'ANSIBLE_CONFIG=${local.ansible_dir}/ansible.cfg = ../ansible/ansible.cfg, whose ssh_args keep ControlPersist with no ControlPath: default socket.',
  },
  'SchedMD__slurm-gcp/packer/docker/main.pkr.hcl': {
    findings: ['control-path-missing@65', 'control-path-missing@101'],
    why: 'Both builds read ../../ansible/ansible.cfg (ControlPersist, no ControlPath): default socket. The dynamic provisioner blocks are not analysed.',
  },
  'stackhpc__ansible-slurm-appliance/packer/openstack.pkr.hcl': {
    findings: ['control-path-missing@216'],
    why: 'Nothing in the template moves the socket. (Users who source environments/<env>/activate export ANSIBLE_CONFIG, whose ssh_args put it in ~/.ssh instead: in a home directory either way.)',
  },
  'ansible__workshops/provisioner/packer/automation-controller.pkr.hcl': {
    findings: ['control-path-missing@52'],
    why: 'use_proxy=false; extra_arguments is a conditional local over a null default (-e @extra_vars.yml only); the inventory template sets no SSH options: default socket.',
  },
  'ansible__workshops/provisioner/packer/automationhub.pkr.hcl': {
    findings: ['control-path-missing@52'],
    why: 'Same shape as automation-controller: default socket.',
  },
  'trippsoft__packer-vagrant/rocky/02-cis/build.pkr.hcl': {
    findings: ['quoted-setting@17 [ansible-core 2.14 and earlier]', 'control-path-missing@17 [ansible-core 2.15 and later]'],
    why: 'Three ansible_ssh_extra_args items, quoted one by one by packer-plugin-ansible 1.1.1+: ansible-core 2.15+ splits them back (default socket in ~/.ansible/cp); 2.14 unquotes the whole string and ssh gets "IdentitiesOnly=yes -o" as one option.',
  },
  'trippsoft__packer-vagrant/windows/02-cis/build.pkr.hcl': {
    findings: ['quoted-setting@17 [ansible-core 2.14 and earlier]', 'control-path-missing@17 [ansible-core 2.15 and later]'],
    why: 'Same shape as the rocky build (its sources are in files not kept; use_proxy=false with an unknown communicator is taken as ssh, as the -e ansible_shell_type=powershell over ssh suggests).',
  },
  'star3am__golden-image-builder/packer/linux/ubuntu/ubuntu-2204.pkr.hcl': {
    findings: ['control-path-missing@92'],
    why: 'Run from the repository root (./packer/scripts/ansible.sh, ./ansible/...), which has no ansible.cfg; the wrapper only runs ansible-playbook "$@" after setting up a virtualenv; only amazon-ebs, through the proxy: default socket.',
    layout: {
      // The shape of the repository's packer/scripts/ansible.sh (not copied).
      'packer/scripts/ansible.sh': '#!/bin/bash\necho "Set Environment Variables"\nexport PIP_DISABLE_PIP_VERSION_CHECK=1\npython3 -m venv ansible-venv\nsource /opt/venv/bin/activate\npython3 -V\nANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook "$@"\n',
      'ansible/roles/ansible-role-example-role/site.yml': '',
    },
    source: 'star3am/golden-image-builder packer/scripts/ansible.sh, ansible/roles/',
  },
  'star3am__golden-image-builder/packer/windows/windowsserver/windows-2022.pkr.hcl': {
    findings: [
      'control-path-missing@111 [ansible-core 2.14 and earlier]', 'quoted-setting@117 [ansible-core 2.15 and later]',
      'control-path-missing@130 [ansible-core 2.14 and earlier]', 'quoted-setting@136 [ansible-core 2.15 and later]',
      'control-path-missing@149 [ansible-core 2.14 and earlier]', 'quoted-setting@155 [ansible-core 2.15 and later]',
    ],
    why: "The three provisioners limited to the vagrant source (communicator ssh, use_proxy=false) set ANSIBLE_SSH_ARGS='-o ... -o ControlPersist=60s ...' with no ControlPath: 2.14 unquotes it (default socket), 2.15+ keeps the quotes and ssh fails on one word of options. The three for the WinRM sources have no SSH.",
    layout: {
      'packer/scripts/ansible.sh': '#!/bin/bash\necho "Set Environment Variables"\nexport PIP_DISABLE_PIP_VERSION_CHECK=1\npython3 -m venv ansible-venv\nsource /opt/venv/bin/activate\npython3 -V\nANSIBLE_FORCE_COLOR=1 PYTHONUNBUFFERED=1 ansible-playbook "$@"\n',
      'packer/windows/windowsserver/scripts/ConfigureRemotingForAnsible.ps1': '',
      'ansible/ansible-role-example-role/site.yml': '',
    },
    source: 'star3am/golden-image-builder packer/scripts/ansible.sh, packer/windows/windowsserver/scripts/',
  },
  'IBM__packer-plugin-ibmcloud/examples/build.vpc.windows.pkr.hcl': { findings: [], why: 'WinRM with use_proxy=false: no SSH.' },
  'IBM__packer-plugin-ibmcloud/examples/build.vpc.windows.json': { findings: [], why: 'Through the proxy, but --extra-vars sets ansible_connection=winrm (next to a {{ .WinRMPassword }} only known at build time): no SSH.' },
  'IBM__packer-plugin-ibmcloud/examples/windows.json': { findings: [], why: 'Extra vars set ansible_connection=winrm: no SSH.' },
  'cirruslabs__macos-image-templates/templates/vanilla-sequoia.pkr.hcl': { findings: [], why: 'ANSIBLE_TRANSPORT=paramiko: no ssh, no control socket.' },
  'enowars__bambictf/packer/bambichecker.json': {
    findings: ['control-path-missing@4'],
    why: 'Run from packer/ (../ansible/bambichecker.yml); the repository root\'s ansible.cfg is not read from there and sets no SSH option anyway: default socket.',
    layout: { 'ansible/bambichecker.yml': '' },
    source: 'enowars/bambictf ansible/bambichecker.yml',
  },
  'enowars__bambictf/packer/bambichecker.pkr.hcl': {
    findings: ['control-path-missing@33'],
    why: 'The HCL2 form of the same build: default socket.',
    layout: { 'ansible/bambichecker.yml': '' },
    source: 'enowars/bambictf ansible/bambichecker.yml',
  },
  'radekg__terraform-provisioner-ansible/examples/packer/base.json': { findings: ['control-path-missing@15'], why: DEFAULT, layout: { 'examples/packer/ansible/playbook-base-image.yml': '' } },
  'mrlesmithjr__packer-templates-revisited/Ubuntu/ubuntu-focal64.json': {
    findings: ['control-path-missing@261'],
    why: 'playbook_file is {{template_dir}}-relative; eight builders through the proxy; only ANSIBLE_HOST_KEY_CHECKING set: default socket.',
  },
  'mrlesmithjr__packer-templates-revisited/CentOS/centos8.json': { findings: ['control-path-missing@231'], why: 'Same layout as ubuntu-focal64.json: default socket.' },
  'FDio__csit/fdio.infra/packer-aws-sut/ubuntu_noble_x86.pkr.hcl': {
    findings: ['control-path-missing@97', 'control-path-missing@120'],
    why: 'Two builds (SUT, TG), use_proxy=false, -e ansible_ssh_pass only: both default sockets.',
    layout: { 'fdio.infra.ansible/site.yaml': '' },
    source: 'FDio/csit fdio.infra.ansible/site.yaml',
  },
};
