source "amazon-ebs" "web" {
  region        = "us-east-1"
  instance_type = "t3.micro"
  ssh_username  = "admin"
  ami_name      = "web-${formatdate("YYYYMMDDhhmmss", timestamp())}"
  source_ami_filter {
    filters     = { name = "debian-12-amd64-*" }
    owners      = ["136693071363"]
    most_recent = true
  }
}

build {
  sources = ["source.amazon-ebs.web"]

  provisioner "ansible" {
    playbook_file = "playbook.yml"
    # The ControlPath only reaches ssh: Ansible's scp transfers still use ~/.ansible/cp.
    extra_arguments = ["--ssh-extra-args", "-o ControlPath=/tmp/cp-%h-%p-%r"]
  }
}
