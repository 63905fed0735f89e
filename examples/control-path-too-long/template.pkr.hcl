source "amazon-ebs" "web" {
  region        = "eu-central-1"
  source_ami    = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  ssh_username  = "admin"
  ami_name      = "web-example"
}

build {
  sources = ["source.amazon-ebs.web"]

  provisioner "ansible" {
    playbook_file    = "playbook.yml"
    user             = "admin"
    ansible_env_vars = ["ANSIBLE_SSH_CONTROL_PATH=/tmp/packer-bake/builds/web-frontend/production/eu-central-1/%%h-%%p-%%C"]
  }
}
